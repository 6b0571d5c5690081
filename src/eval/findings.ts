/**
 * "What this run found": the run's results turned into sentences with numbers, for the top of a
 * report — accuracy against chance per task format, the challenger (STAVE) minus the baseline
 * (control) with a paired interval over questions, and each probe read against the finding the
 * Causality Matters paper reports for that figure: reproduced, not reproduced, or not testable.
 *
 * A probe claim is a paired contrast per question (e.g. P_C with query ids shuffled − P_C with video
 * ids shuffled); it is "reproduced" when the 95% interval over questions lies entirely on the
 * paper's side of zero, "not reproduced" otherwise, and "not testable" when the run lacks the
 * conditions or the questions (fewer than 2) the contrast needs, or when the model answers at chance
 * on every format that has a chance level (then the numbers are still shown).
 */
import { bootstrapInterval, type Interval } from '../data/statistics.js';
import { FORMATS, type Format, type Question } from '../data/types.js';
import type { ProbeRow } from '../probe/runner.js';
import { percentInterval, type ClassifierResult } from '../train/classifier.js';
import type { ProbeRun } from './probeReport.js';
import { meanOverQuestions, pairedContrast } from './probeStats.js';
import { heading, paragraph, tableBlock, type ReportBlock } from './report.js';
import type { Estimate, EvaluationResult } from './result.js';
import type { ScoredAnswer } from './score.js';

export interface FindingsInput {
  results?: readonly EvaluationResult[];
  /** Scored answers per model name: the paired STAVE − control difference needs them. */
  answers?: Readonly<Record<string, readonly ScoredAnswer[]>>;
  /** The evaluated questions: chance levels come from their option counts. */
  questions?: readonly Question[];
  probes?: readonly ProbeRun[];
  /**
   * The same questions answered by the option each model finds most likely (likelihood scoring), one
   * result per model of `results`: what the models know beside what they generate.
   */
  likelihoodResults?: readonly EvaluationResult[];
  /** The vision-only check: the ViT arm and the ViT + STA arm (any order). */
  classifier?: readonly ClassifierResult[];
  /** The model compared against the baseline (default "stave") and the baseline (default "control"). */
  challenger?: string;
  baseline?: string;
  seed?: number;
}

export type Verdict = 'reproduced' | 'not reproduced' | 'not testable';

export interface AccuracyFinding {
  model: string;
  format: Format;
  accuracy: Estimate;
  /** Expected accuracy of guessing uniformly among the options; null for free-text captioning. */
  chance: number | null;
  reading: 'above chance' | 'below chance' | 'at chance' | 'no chance level' | 'no questions';
}

export interface DifferenceFinding {
  challenger: string;
  baseline: string;
  /** Per format and overall ("all"): mean of correct(challenger) − correct(baseline) over shared questions. */
  byFormat: ({ format: Format | 'all' } & Interval)[];
  /** Shared questions on which both models gave the same reading (option, yes/no or caption). */
  sameAnswers: number;
}

export interface ProbeFinding {
  experiment: string;
  figure: string;
  section: string;
  model: string;
  /** What the paper reports for this figure, in one line. */
  claim: string;
  /** What was measured, e.g. "P_C(layer 0) − P_C(later layers)". */
  measure: string;
  value: Interval | null;
  verdict: Verdict;
  /** The numbers behind the verdict, as a sentence fragment. */
  detail: string;
}

export interface Findings {
  sentences: string[];
  accuracy: AccuracyFinding[];
  difference: DifferenceFinding | null;
  probes: ProbeFinding[];
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pts = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;
const signed = (x: number) => (x >= 0 ? '+' : '') + x.toFixed(3);
const interval = (e: Interval) => `${signed(e.mean)} (95% interval ${signed(e.low)}…${signed(e.high)}, n=${e.n} questions)`;

/** Chance accuracy per format: 1/2 for yes/no, the mean of 1/options for lettered formats. */
export function chanceLevels(questions: readonly Question[]): Record<Format, number | null> {
  const out = {} as Record<Format, number | null>;
  for (const f of FORMATS) {
    const qs = questions.filter((q) => q.format === f);
    if (f === 'captioning' || qs.length === 0) out[f] = f === 'yes_no' ? 0.5 : null;
    else if (f === 'yes_no') out[f] = 0.5;
    else {
      const counted = qs.filter((q) => (q.options?.length ?? 0) > 0);
      out[f] = counted.length === 0 ? null : counted.reduce((s, q) => s + 1 / q.options!.length, 0) / counted.length;
    }
  }
  return out;
}

function accuracyFindings(results: readonly EvaluationResult[], chance: Record<Format, number | null>): AccuracyFinding[] {
  return results.flatMap((r) => FORMATS.map((format) => {
    const accuracy = r.all.byFormat[format];
    const c = chance[format];
    const reading: AccuracyFinding['reading'] = accuracy.n === 0 || accuracy.low === null || accuracy.high === null ? 'no questions'
      : c === null ? 'no chance level' : accuracy.low > c ? 'above chance' : accuracy.high < c ? 'below chance' : 'at chance';
    return { model: r.model, format, accuracy, chance: c, reading };
  }));
}

function differenceFinding(answers: Readonly<Record<string, readonly ScoredAnswer[]>>, challenger: string, baseline: string, seed: number): DifferenceFinding | null {
  const x = answers[challenger];
  const y = answers[baseline];
  if (!x || !y) return null;
  const yById = new Map(y.map((a) => [a.questionId, a]));
  const shared = x.filter((a) => yById.has(a.questionId)).map((a) => {
    const b = yById.get(a.questionId)!;
    return { format: a.format, d: (a.correct ? 1 : 0) - (b.correct ? 1 : 0), same: a.choice === b.choice && a.prediction.trim() === b.prediction.trim() };
  });
  if (shared.length === 0) return null;
  const groups: (Format | 'all')[] = ['all', ...FORMATS.filter((f) => shared.some((s) => s.format === f))];
  return {
    challenger, baseline, sameAnswers: shared.filter((s) => s.same).length,
    byFormat: groups.map((format) => ({ format, ...bootstrapInterval(shared.filter((s) => format === 'all' || s.format === format).map((s) => s.d), { seed }) })),
  };
}

type Keep = (r: ProbeRow) => boolean;
const labelled = (label: string): Keep => (r) => r.label === label;
const frameOf = (label: string | undefined) => Number(/frame (\d+)$/.exec(label ?? '')?.[1] ?? NaN);

interface Claim {
  claim: string;
  measure: string;
  /** The paper's sign of the contrast. */
  sign: -1 | 1;
  /** The two selections, or the reason the rows cannot test the claim. */
  select: (rows: readonly ProbeRow[]) => { a: Keep; b: Keep } | string;
}

/** Frame 1 against the last frame of the rows' single-frame conditions. */
function firstVsLastFrame(rows: readonly ProbeRow[]): { a: Keep; b: Keep } | string {
  const frames = rows.map((r) => frameOf(r.label)).filter((f) => Number.isFinite(f));
  const last = Math.max(...frames);
  if (frames.length === 0 || last < 2) return 'needs at least two frames';
  return { a: (r) => frameOf(r.label) === 1, b: (r) => frameOf(r.label) === last };
}

const CLAIMS: Record<string, Claim> = {
  'pe-ablation': {
    claim: 'removing PE hurts only at the first layer', measure: 'P_C(layer 0) − P_C(later layers)', sign: -1,
    select: (rows) => (rows.some((r) => (r.layer ?? 0) > 0) ? { a: (r) => r.layer === 0, b: (r) => (r.layer ?? 0) > 0 } : 'needs a model with more than one layer'),
  },
  'position-shuffle': {
    claim: 'shuffling query ids hurts more than shuffling video ids', measure: 'P_C(query ids shuffled) − P_C(video ids shuffled)', sign: -1,
    select: () => ({ a: labelled('shuffled query ids'), b: labelled('shuffled video ids') }),
  },
  reverse: {
    claim: 'reversing frame order hurts more than reversing position ids', measure: 'P_C(reverse order) − P_C(reverse PE)', sign: -1,
    select: () => ({ a: labelled('reverse order'), b: labelled('reverse PE') }),
  },
  'final-token-knockout': {
    claim: 'blocking the last token from the query hurts more than from the frames', measure: 'P_C(blocked query) − P_C(blocked frames)', sign: -1,
    select: () => ({ a: labelled('blocked query'), b: labelled('blocked frames') }),
  },
  'single-frame': {
    claim: 'a query that sees only frame 1 loses more than one that sees only the last frame', measure: 'P_C(frame 1 only) − P_C(last frame only)', sign: -1,
    select: firstVsLastFrame,
  },
  'reversed-attribution': {
    claim: 'on reversed clips the attribution inverts: frame 1 only now loses less than the last frame only', measure: 'P_C(frame 1 only) − P_C(last frame only), reversed clips', sign: 1,
    select: firstVsLastFrame,
  },
  spatiotemporal: {
    claim: 'masking the whole previous frame hurts more than masking the corresponding area', measure: 'P_C(previous frame) − P_C(corresponding area)', sign: -1,
    select: () => ({ a: labelled('previous frame'), b: labelled('corresponding area') }),
  },
};

/** Fig. 6: inter-frame blocking should hurt at an earlier layer than frame-to-query blocking. */
function stagewiseFinding(rows: readonly ProbeRow[], seed: number): Pick<ProbeFinding, 'value' | 'verdict' | 'detail'> {
  const worst = (label: string) => {
    const layers = [...new Set(rows.filter((r) => r.label === label && typeof r.layer === 'number').map((r) => r.layer!))];
    return layers.map((layer) => ({ layer, e: meanOverQuestions(rows, (r) => r.label === label && r.layer === layer, { seed }) }))
      .reduce<{ layer: number; e: Interval } | null>((w, x) => (w === null || x.e.mean < w.e.mean ? x : w), null);
  };
  const inter = worst('inter-frame');
  const toQuery = worst('frame-to-query');
  if (!inter || !toQuery || inter.e.n < 2) return { value: null, verdict: 'not testable', detail: 'needs both knockouts on at least 2 questions' };
  const drops = inter.e.high < 0 && toQuery.e.high < 0;
  const detail = `inter-frame blocking hurts most at layer ${inter.layer}: ${interval(inter.e)}; frame-to-query at layer ${toQuery.layer}: ${interval(toQuery.e)}`;
  if (!drops) return { value: null, verdict: 'not reproduced', detail: `${detail}; no drop beyond its interval in ${inter.e.high >= 0 && toQuery.e.high >= 0 ? 'either' : inter.e.high >= 0 ? 'inter-frame' : 'frame-to-query'} blocking` };
  return { value: null, verdict: inter.layer < toQuery.layer ? 'reproduced' : 'not reproduced', detail };
}

/**
 * The paper traces how a model that understands time gets there; a model at chance on every format
 * with a chance level has nothing to trace, so its probes cannot test the paper's claims.
 */
function atChanceModels(accuracy: readonly AccuracyFinding[]): Set<string> {
  const models = new Set(accuracy.map((a) => a.model));
  return new Set([...models].filter((m) => {
    const read = accuracy.filter((a) => a.model === m && a.chance !== null && a.reading !== 'no questions');
    return read.length > 0 && read.every((a) => a.reading !== 'above chance');
  }));
}

function probeFindings(runs: readonly ProbeRun[], seed: number): ProbeFinding[] {
  const out: ProbeFinding[] = [];
  for (const run of runs) {
    const { name, figure, section } = run.experiment;
    for (const { model, rows } of run.models) {
      const base = { experiment: name, figure, section, model };
      if (name === 'stagewise') {
        out.push({ ...base, claim: 'inter-frame blocking hurts at earlier layers than frame-to-query blocking', measure: 'layer of the largest drop, per knockout', ...stagewiseFinding(rows, seed) });
        continue;
      }
      const claim = CLAIMS[name];
      if (!claim) continue;
      const head = { ...base, claim: claim.claim, measure: claim.measure };
      const selection = rows.length === 0 ? 'no probe rows' : claim.select(rows);
      if (typeof selection === 'string') {
        out.push({ ...head, value: null, verdict: 'not testable', detail: selection });
        continue;
      }
      const value = pairedContrast(rows, selection.a, selection.b, { seed });
      if (value.n < 2) {
        out.push({ ...head, value: value.n === 0 ? null : value, verdict: 'not testable', detail: `${value.n} question${value.n === 1 ? '' : 's'} with both conditions; needs at least 2` });
        continue;
      }
      const beyond = claim.sign < 0 ? value.high < 0 : value.low > 0;
      const opposite = claim.sign < 0 ? value.low > 0 : value.high < 0;
      out.push({
        ...head, value, verdict: beyond ? 'reproduced' : 'not reproduced',
        detail: `${claim.measure} = ${interval(value)}${beyond ? '' : opposite ? ': the opposite of the paper' : ': the interval includes 0'}`,
      });
    }
  }
  return out;
}

export function findings(input: FindingsInput): Findings {
  const seed = input.seed ?? 0;
  const challenger = input.challenger ?? 'stave';
  const baseline = input.baseline ?? 'control';
  const chance = chanceLevels(input.questions ?? []);
  const accuracy = accuracyFindings(input.results ?? [], chance);
  const difference = input.answers ? differenceFinding(input.answers, challenger, baseline, seed) : null;
  const atChance = atChanceModels(accuracy);
  const probes = probeFindings(input.probes ?? [], seed).map((p): ProbeFinding =>
    atChance.has(p.model) && p.verdict !== 'not testable' ? { ...p, verdict: 'not testable', detail: `${p.detail}; but ${p.model} answers at chance, so there is no temporal understanding to trace` } : p);
  const sentences: string[] = [];
  for (const r of input.results ?? []) {
    const mine = accuracy.filter((a) => a.model === r.model && a.reading !== 'no questions');
    const counts = (reading: AccuracyFinding['reading']) => mine.filter((a) => a.reading === reading).map((a) => `${a.format} ${pct(a.accuracy.mean!)} vs ${pct(a.chance!)}`);
    const parts = [['above chance', counts('above chance')], ['at chance (the interval includes it)', counts('at chance')], ['below chance', counts('below chance')]]
      .filter(([, list]) => list!.length > 0).map(([what, list]) => `${what}: ${(list as string[]).join(', ')}`);
    const free = mine.filter((a) => a.reading === 'no chance level').map((a) => `${a.format} ${pct(a.accuracy.mean!)}`);
    const overall = r.all.overall.mean === null ? 'no questions' : `${pct(r.all.overall.mean)} of ${r.questions} questions right`;
    sentences.push(`${r.model}: ${overall}; ${parts.join('; ') || 'no format with a chance level'}${free.length ? `; no chance level: ${free.join(', ')}` : ''}.`);
  }
  if (difference) {
    const all = difference.byFormat[0]!;
    const verdict = all.low > 0 ? `${challenger} is ahead beyond the interval` : all.high < 0 ? `${challenger} is behind beyond the interval` : `the interval includes 0: no difference shown`;
    const separated = difference.byFormat.slice(1).filter((d) => d.low > 0 || d.high < 0).map((d) => d.format);
    sentences.push(`${challenger} − ${baseline}: ${pts(all.mean)} accuracy points (95% interval ${pts(all.low)}…${pts(all.high)}, paired over ${all.n} questions): ${verdict}; formats where the interval excludes 0: ${separated.length ? separated.join(', ') : 'none'}; the two give the same answer on ${difference.sameAnswers} of ${all.n} questions.`);
  }
  const known = likelihoodSentence(input.results ?? [], input.likelihoodResults ?? [], challenger, baseline);
  if (known) sentences.push(known);
  const staCheck = visionOnlySentence(input.classifier ?? []);
  if (staCheck) sentences.push(staCheck);
  if (probes.length > 0) {
    const count = (v: Verdict) => probes.filter((p) => p.verdict === v).length;
    const reproduced = probes.filter((p) => p.verdict === 'reproduced').map((p) => `${p.figure} on ${p.model}`);
    const chanceProbed = [...atChance].filter((m) => probes.some((p) => p.model === m));
    sentences.push(`Probes against the paper's findings: ${count('reproduced')} reproduced, ${count('not reproduced')} not reproduced, ${count('not testable')} not testable (of ${probes.length} figure × model readings)${reproduced.length ? `; reproduced: ${reproduced.join(', ')}` : ''}${chanceProbed.length ? `; ${chanceProbed.join(', ')} answer${chanceProbed.length === 1 ? 's' : ''} at chance, so ${chanceProbed.length === 1 ? 'its' : 'their'} probes cannot test the paper (the measured contrasts are in the table)` : ''}.`);
  }
  return { sentences, accuracy, difference, probes };
}

/**
 * Likelihood scoring in one sentence: each model's overall accuracy beside its generated one, then the
 * challenger against the baseline on opposing pairs, read by the "beyond both intervals" rule.
 */
function likelihoodSentence(generated: readonly EvaluationResult[], likelihood: readonly EvaluationResult[], challenger: string, baseline: string): string | null {
  const models = likelihood.filter((r) => r.all.overall.mean !== null);
  if (models.length === 0) return null;
  const overall = models.map((r) => {
    const said = generated.find((g) => g.model === r.model)?.all.overall.mean;
    return `${r.model} ${pct(r.all.overall.mean!)}${said === null || said === undefined ? '' : ` (generated ${pct(said)})`}`;
  });
  const x = likelihood.find((r) => r.model === challenger)?.all.pairs.overall;
  const y = likelihood.find((r) => r.model === baseline)?.all.pairs.overall;
  const pairs = x?.mean != null && y?.mean != null && x.low != null && x.high != null && y.low != null && y.high != null
    ? `; opposing pairs ${challenger} ${pct(x.mean)} vs ${baseline} ${pct(y.mean)}: ${x.low > y.high ? `${challenger} ahead beyond both intervals` : x.high < y.low ? `${challenger} behind beyond both intervals` : 'the intervals overlap: no difference shown'}`
    : '';
  return `Answered by the option each model finds most likely (likelihood scoring; the accuracies above are of generated answers): ${overall.join(', ')}${pairs}.`;
}

/**
 * The vision-only check in one sentence: the two arms are separate models scored on the same clips,
 * so "beyond the intervals" asks that the two 95% intervals do not overlap.
 */
function visionOnlySentence(arms: readonly ClassifierResult[]): string | null {
  const withSta = arms.find((a) => a.sta);
  const without = arms.find((a) => !a.sta);
  if (!withSta || !without) return null;
  const reading = (a: Interval, b: Interval) => (a.low > b.high ? 'STA ahead beyond both intervals' : a.high < b.low ? 'STA behind beyond both intervals' : 'the intervals overlap: no difference shown');
  return `Vision-only check (ViT ± STA + linear head over the outcomes, ${withSta.accuracy.n} ${withSta.split} clips): accuracy ${percentInterval(withSta.accuracy)} with STA vs ${percentInterval(without.accuracy)} without, ${reading(withSta.accuracy, without.accuracy)}; opposing-pair accuracy ${percentInterval(withSta.pairAccuracy)} vs ${percentInterval(without.pairAccuracy)}, ${reading(withSta.pairAccuracy, without.pairAccuracy)}.`;
}

/** The report section: the sentences, then the tables behind them. */
export function findingsBlocks(f: Findings): ReportBlock[] {
  const blocks: ReportBlock[] = [heading('What this run found'), ...f.sentences.map(paragraph)];
  if (f.accuracy.length > 0) {
    const models = [...new Set(f.accuracy.map((a) => a.model))];
    const formats = FORMATS.filter((fmt) => f.accuracy.some((a) => a.format === fmt && a.reading !== 'no questions'));
    blocks.push(tableBlock({
      caption: 'Accuracy (%) against chance by task format, 95% bootstrap interval over questions',
      header: ['model', ...formats],
      rows: models.map((m) => [m, ...formats.map((fmt) => {
        const a = f.accuracy.find((x) => x.model === m && x.format === fmt)!;
        if (a.reading === 'no questions') return '—';
        return `${(100 * a.accuracy.mean!).toFixed(1)} (${(100 * a.accuracy.low!).toFixed(1)}–${(100 * a.accuracy.high!).toFixed(1)})${a.chance === null ? '' : ` vs ${(100 * a.chance).toFixed(0)}: ${a.reading}`}`;
      })]),
    }));
  }
  if (f.difference) {
    blocks.push(tableBlock({
      caption: `${f.difference.challenger} − ${f.difference.baseline}, accuracy points, paired 95% bootstrap over questions`,
      header: ['format', 'difference', '95% interval', 'questions'],
      rows: f.difference.byFormat.map((d) => [d.format, pts(d.mean), `${pts(d.low)}…${pts(d.high)}`, String(d.n)]),
    }));
  }
  if (f.probes.length > 0) {
    blocks.push(tableBlock({
      caption: 'Each probe read against the paper: reproduced when the 95% interval over questions lies on the paper’s side of 0',
      header: ['figure', 'model', 'paper', 'verdict', 'measured'],
      rows: f.probes.map((p) => [`${p.figure} ${p.section}`, p.model, p.claim, p.verdict, p.detail]),
    }));
  }
  return blocks;
}
