import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes Revela sets on its workflows. They are what an operator filters on in the
 * Temporal UI (`RevelaApp="examples/podinfo"`), so they never carry secrets.
 */
export const RevelaApp = defineSearchAttributeKey('RevelaApp', SearchAttributeType.KEYWORD);
export const RevelaRevision = defineSearchAttributeKey('RevelaRevision', SearchAttributeType.KEYWORD);
export const RevelaPublishVersion = defineSearchAttributeKey(
  'RevelaPublishVersion',
  SearchAttributeType.KEYWORD,
);
export const RevelaHash = defineSearchAttributeKey('RevelaHash', SearchAttributeType.KEYWORD);
export const RevelaPhase = defineSearchAttributeKey('RevelaPhase', SearchAttributeType.KEYWORD);

/** Every key above, for registration through the operator service. */
export const REVELA_SEARCH_ATTRIBUTES = [
  RevelaApp,
  RevelaRevision,
  RevelaPublishVersion,
  RevelaHash,
  RevelaPhase,
];
