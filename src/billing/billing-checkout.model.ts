import { Field, Int, ObjectType } from '@nestjs/graphql';
import { OverLimitModel } from './billing-account.model.js';

@ObjectType('CheckoutSession', { description: "A Stripe Checkout Session: send the owner's browser to url." })
export class CheckoutSessionModel {
  @Field()
  id: string;

  @Field()
  url: string;
}

@ObjectType('BillingPortalSession', { description: "Stripe's billing portal (payment methods, invoices): send the browser to url." })
export class BillingPortalSessionModel {
  @Field()
  url: string;
}

@ObjectType('PlanChangePreview')
export class PlanChangePreviewModel {
  @Field(() => Int, { description: 'Charged when the change is made (prorated), in minor units; 0 for a change at period end.' })
  amountDueNow: number;

  @Field()
  currency: string;

  @Field(() => Int, { description: 'The next regular invoice after the change, in minor units.' })
  nextInvoiceAmount: number;

  @Field({ description: 'When the change would apply (now, or the period end); pass it as changePlan(prorationDate) to be charged exactly this.' })
  effectiveAt: Date;

  @Field(() => [OverLimitModel], { description: 'What would be over the new plan\'s limits (nothing is deleted).' })
  overLimit: OverLimitModel[];
}
