export const ACCOUNT_ROLES = ['owner', 'member'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** Who is calling, from the verified token. The business always comes from here, never from input. */
export interface AuthAccount {
  userId: string;
  email: string | null;
  /** Null only for admins whose token names no business. */
  businessId: string | null;
  role: AccountRole | null;
  isAdmin: boolean;
}
