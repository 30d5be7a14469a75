import { applyDecorators, Header } from '@nestjs/common';
import { BILLING_PAGE_CSP } from './billing-page-assets.constant.js';

/** The security headers of every billing page response, plus its content type. */
export const BillingPageHeaders = (contentType: string) =>
  applyDecorators(
    Header('content-type', contentType),
    Header('content-security-policy', BILLING_PAGE_CSP),
    Header('x-content-type-options', 'nosniff'),
    Header('referrer-policy', 'no-referrer'),
    Header('cache-control', 'no-store'),
  );
