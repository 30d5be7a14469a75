import { Command, CommandRunner, Option } from 'nest-commander';
import { ACCOUNT_ROLES, type AccountRole } from '../auth/auth-account.types.js';
import { AuthService } from '../auth/auth.service.js';
import { CliException, CliErrorCode } from './cli.exception.js';

interface TokenOptions {
  business?: string;
  role?: AccountRole;
  admin?: boolean;
  email?: string;
  user?: string;
  expiresIn?: string;
}

@Command({
  name: 'token',
  description: 'Print a JWT signed with AUTH_JWT_SECRET, for local use and tests',
})
export class TokenCommand extends CommandRunner {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async run(_args: string[], options: TokenOptions): Promise<void> {
    if (!options.admin && (!options.business || !options.role)) {
      throw new CliException(CliErrorCode.BAD_ARGUMENTS, 'token needs --business <id> and --role owner|member (or --admin)');
    }
    const token = await this.auth.sign({
      userId: options.user ?? `user_${options.business ?? 'admin'}_${options.role ?? 'admin'}`,
      businessId: options.business,
      role: options.role,
      admin: options.admin,
      email: options.email,
      expiresIn: options.expiresIn,
    });
    process.stdout.write(`${token}\n`);
  }

  @Option({ flags: '--business <id>', description: 'business_id claim' })
  parseBusiness(value: string): string {
    return value;
  }

  @Option({ flags: '--role <role>', description: 'owner or member' })
  parseRole(value: string): AccountRole {
    if (!ACCOUNT_ROLES.includes(value as AccountRole)) {
      throw new CliException(CliErrorCode.BAD_ARGUMENTS, `--role must be one of ${ACCOUNT_ROLES.join(', ')}`);
    }
    return value as AccountRole;
  }

  @Option({ flags: '--admin', description: 'add admin: true (internal admin API)' })
  parseAdmin(): boolean {
    return true;
  }

  @Option({ flags: '--email <email>', description: 'email claim' })
  parseEmail(value: string): string {
    return value;
  }

  @Option({ flags: '--user <id>', description: 'sub claim (default derived from business and role)' })
  parseUser(value: string): string {
    return value;
  }

  @Option({ flags: '--expires-in <duration>', description: 'lifetime such as 12h or 7d (default 12h)' })
  parseExpiresIn(value: string): string {
    return value;
  }
}
