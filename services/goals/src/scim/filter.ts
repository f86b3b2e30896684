import { ScimError } from "./errors.ts";

/**
 * The part of the SCIM filter language (RFC 7644 §3.4.2.2) identity providers send when they look a
 * resource up before creating or changing it: `attr eq "value"` terms joined by `and`, where an
 * attribute may be a sub-attribute (`name.givenName`) or a value path (`emails[type eq "work"].value`,
 * `members[value eq "…"]`). Anything else is refused as `invalidFilter`, never guessed at.
 */
export interface FilterTerm {
  /** The attribute path in lower case, value-path selectors dropped: `emails.value`, `members.value`. */
  attribute: string;
  value: string | boolean | null;
}

export class InvalidFilter extends Error {
  override name = "InvalidFilter";
}

/** A request's `filter` parameter as terms; an unreadable one is a 400 `invalidFilter`. */
export function filterTerms(filter: string | undefined): FilterTerm[] {
  if (filter === undefined || filter.trim() === "") return [];
  try {
    return parseFilter(filter);
  } catch (error) {
    if (error instanceof InvalidFilter) throw new ScimError(400, error.message, "invalidFilter");
    throw error;
  }
}

const TOKEN = /\s*("(?:[^"\\]|\\.)*"|\[|\]|[A-Za-z0-9_:.$-]+)/y;

function tokenize(filter: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < filter.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(filter);
    if (!match) {
      if (filter.slice(start).trim() === "") break;
      throw new InvalidFilter(`cannot read the filter at "${filter.slice(start, start + 20)}"`);
    }
    tokens.push(match[1] as string);
  }
  return tokens;
}

function literal(token: string | undefined): string | boolean | null {
  if (token === undefined) throw new InvalidFilter("the filter ends before its value");
  if (token.startsWith('"')) {
    try {
      return JSON.parse(token) as string;
    } catch {
      throw new InvalidFilter(`${token} is not a valid string`);
    }
  }
  const lower = token.toLowerCase();
  if (lower === "true" || lower === "false") return lower === "true";
  if (lower === "null") return null;
  throw new InvalidFilter(`${token} is not a value (strings are quoted)`);
}

const ATTRIBUTE = /^(?:urn:[A-Za-z0-9.:-]+:)?[A-Za-z$][A-Za-z0-9_$-]*(?:\.[A-Za-z$][A-Za-z0-9_$-]*)?$/;

function attributeName(token: string | undefined): string {
  if (token === undefined || !ATTRIBUTE.test(token))
    throw new InvalidFilter(`${token ?? "nothing"} is not an attribute name`);
  // Core-schema attributes may be written with their schema URN in front.
  return token.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, "").toLowerCase();
}

/** Parses a filter into its `eq` terms (all of which must hold). */
export function parseFilter(filter: string): FilterTerm[] {
  const tokens = tokenize(filter);
  if (tokens.length === 0) throw new InvalidFilter("the filter is empty");
  const terms: FilterTerm[] = [];
  let i = 0;
  const expect = (word: string) => {
    if (tokens[i]?.toLowerCase() !== word)
      throw new InvalidFilter(
        `expected "${word}" but found ${tokens[i] === undefined ? "the end" : `"${tokens[i]}"`} (supported: attr eq "value", joined by and)`,
      );
    i++;
  };
  for (;;) {
    let attribute = attributeName(tokens[i++]);
    if (tokens[i] === "[") {
      // attr[sub eq "x"] (optionally .sub after): the selector's own term is part of the match.
      i++;
      const sub = attributeName(tokens[i++]);
      expect("eq");
      const selector = literal(tokens[i++]);
      expect("]");
      if (tokens[i]?.startsWith(".")) {
        const outer = `${attribute}.${attributeName(tokens[i++]?.slice(1))}`;
        terms.push({ attribute: `${attribute}.${sub}`, value: selector });
        attribute = outer;
      } else {
        terms.push({ attribute: `${attribute}.${sub}`, value: selector });
        if (i >= tokens.length) break;
        expect("and");
        continue;
      }
    }
    expect("eq");
    terms.push({ attribute, value: literal(tokens[i++]) });
    if (i >= tokens.length) break;
    expect("and");
  }
  return terms;
}
