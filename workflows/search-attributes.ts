import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES } from '../core/constants';

/** Typed keys of the custom search attributes; registered on the server by `npm start` and the tests. */
export const tfaAgentKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.agent, SearchAttributeType.KEYWORD);
export const tfaStatusKey = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.status, SearchAttributeType.KEYWORD);
export const tfaPendingRequestKey = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.pendingRequest,
  SearchAttributeType.KEYWORD,
);

export const TFA_SEARCH_ATTRIBUTE_KEYS = [tfaAgentKey, tfaStatusKey, tfaPendingRequestKey];
