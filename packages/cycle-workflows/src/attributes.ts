import { defineSearchAttributeKey, SearchAttributeType } from "@temporalio/common";
import type { OKR_SEARCH_ATTRIBUTES } from "./search-attributes.ts";

/** Typed keys for the custom search attributes (names and types from search-attributes.ts, which infra registers). */
const keyword = (name: keyof typeof OKR_SEARCH_ATTRIBUTES) =>
  defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);

export const OkrOrganization = keyword("OkrOrganization");
export const OkrCycle = keyword("OkrCycle");
export const OkrPhase = keyword("OkrPhase");
export const OkrTeam = keyword("OkrTeam");
