/** Epochs as seeded permutations: the batch of any global step is a pure function of (seed, step), so resume is exact. */
import { Random } from '../engine/random.js';

export class BatchSchedule {
  private readonly orders = new Map<number, number[]>();

  constructor(
    readonly size: number,
    readonly seed: number,
  ) {}

  indices(step: number, batchSize: number): number[] {
    return Array.from({ length: batchSize }, (_, k) => {
      const position = step * batchSize + k;
      const epoch = Math.floor(position / this.size);
      let order = this.orders.get(epoch);
      if (!order) {
        order = new Random(this.seed * 7919 + epoch).shuffle(Array.from({ length: this.size }, (_, i) => i));
        this.orders.set(epoch, order);
        this.orders.delete(epoch - 2);
      }
      return order[position % this.size]!;
    });
  }
}
