import { type DynamicModule, Module } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import type { AppConfig } from '../config/app-config.types.js';
import { ConfigModule } from '../config/config.module.js';
import { TokenCommand } from './token.command.js';

@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config)],
      providers: [AuthService, TokenCommand],
    };
  }
}
