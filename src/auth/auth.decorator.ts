import { SetMetadata } from '@nestjs/common';
import type { AccountRole } from './auth-account.types.js';

export const PUBLIC_KEY = 'auth:public';
export const ROLES_KEY = 'auth:roles';
export const ADMIN_KEY = 'auth:admin';

/** Opens a route or field to callers without a token. Everything else requires one. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Only callers whose token role is one of these (admins too, when they name a business). */
export const Roles = (...roles: AccountRole[]) => SetMetadata(ROLES_KEY, roles);

/** Only internal admins (`admin: true` in the token). Apply to admin resolvers at class level. */
export const AdminOnly = () => SetMetadata(ADMIN_KEY, true);
