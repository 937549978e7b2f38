/**
 * Sequence-number arithmetic for the TCP modules: src/wire/seq.ts (RFC 9293 § 3.4, RFC 1982)
 * under the short names the engine uses.
 */
export {
  seqAdd,
  seqSub as seqDiff,
  seqLt,
  seqLeq as seqLe,
  seqGt,
  seqGeq as seqGe,
  seqMax,
  seqMin,
  seqInWindow,
  seqBetween,
} from '../../wire/seq.js';
