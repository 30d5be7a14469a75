import { Module } from '@nestjs/common';
import { StripeCatalogService } from './stripe-catalog.service.js';
import { StripeClientService } from './stripe-client.service.js';

@Module({
  providers: [StripeClientService, StripeCatalogService],
  exports: [StripeClientService, StripeCatalogService],
})
export class StripeModule {}
