import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Campaign')
export class CampaignModel {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  createdAt: Date;
}
