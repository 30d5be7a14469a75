import { Controller, Get, Query } from '@nestjs/common';
import { Public } from '../auth/auth.decorator.js';
import { BILLING_PAGE_SCRIPT, BILLING_PAGE_STYLE } from './billing-page-assets.constant.js';
import { BillingPageHeaders } from './billing-page-headers.decorator.js';
import { BillingPageService } from './billing-page.service.js';

/**
 * The tour's billing page. Public: the page itself holds no account data; the caller's token,
 * pasted into the page, goes only to /graphql. Registered only when BILLING_PAGE_ENABLED holds.
 */
@Public()
@Controller('billing')
export class BillingPageController {
  constructor(private readonly page: BillingPageService) {}

  @Get()
  @BillingPageHeaders('text/html; charset=utf-8')
  show(@Query('checkout') checkout: unknown): string {
    return this.page.render(checkout);
  }

  @Get('assets/billing-page.js')
  @BillingPageHeaders('text/javascript; charset=utf-8')
  script(): string {
    return BILLING_PAGE_SCRIPT;
  }

  @Get('assets/billing-page.css')
  @BillingPageHeaders('text/css; charset=utf-8')
  style(): string {
    return BILLING_PAGE_STYLE;
  }
}
