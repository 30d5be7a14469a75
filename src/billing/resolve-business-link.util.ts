/** Where a business id for a not-yet-linked Stripe customer was read. */
export interface BusinessLinkSources {
  /**
   * Written by our own server through the Stripe API (checkout session, subscription or customer
   * metadata `businessId`): a buyer cannot set these.
   */
  trusted: (string | null | undefined)[];
  /** `client_reference_id`: a Payment Link buyer can put anything there. Never links alone. */
  clientReferenceId: string | null;
}

export type BusinessLink =
  | { kind: 'link'; businessId: string; ignoredClientReference: string | null }
  | { kind: 'none'; clientReferenceId: string | null }
  | { kind: 'conflict'; businessIds: string[] };

/**
 * Which business a Stripe customer belongs to. Only what our server wrote counts; sources that
 * disagree are a conflict for a human, never a guess.
 */
export function resolveBusinessLink(sources: BusinessLinkSources): BusinessLink {
  const trusted = [...new Set(sources.trusted.filter((id): id is string => typeof id === 'string' && id !== ''))];
  if (trusted.length > 1) return { kind: 'conflict', businessIds: trusted.sort() };
  if (trusted.length === 1) {
    const ignored = sources.clientReferenceId && sources.clientReferenceId !== trusted[0] ? sources.clientReferenceId : null;
    return { kind: 'link', businessId: trusted[0], ignoredClientReference: ignored };
  }
  return { kind: 'none', clientReferenceId: sources.clientReferenceId };
}
