import type { Random } from '../engine/random.js';

/**
 * Deals items in shuffled rounds: every item comes once per round. Drawing answers' positions
 * from a deck keeps them balanced (the most common answer is right at chance) without the
 * regular pattern a plain cycle would leave for a model to learn.
 */
export class Deck<T> {
  private hand: T[] = [];

  constructor(
    private readonly rng: Random,
    private readonly items: readonly T[],
  ) {}

  draw(): T {
    if (this.hand.length === 0) this.hand = this.rng.shuffle(this.items);
    return this.hand.pop()!;
  }
}

/** One deck per key, created on first use. */
export class Decks<T> {
  private readonly decks = new Map<string, Deck<T>>();

  constructor(
    private readonly rng: Random,
    private readonly items: (key: string) => readonly T[],
  ) {}

  draw(key: string): T {
    let deck = this.decks.get(key);
    if (!deck) this.decks.set(key, (deck = new Deck(this.rng, this.items(key))));
    return deck.draw();
  }
}

/** All orderings of [0, n). */
export function permutations(n: number): number[][] {
  if (n <= 1) return [[0].slice(0, n)];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}
