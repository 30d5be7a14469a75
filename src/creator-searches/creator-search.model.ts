import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CreatorSearchStatusModel } from './creator-search-status.enum.js';

registerEnumType(CreatorSearchStatusModel, { name: 'CreatorSearchStatus' });

@ObjectType('CreatorSearch')
export class CreatorSearchModel {
  @Field(() => ID)
  id: string;

  @Field()
  query: string;

  @Field(() => Int, { description: 'Creators asked for (expectedCreators).' })
  requested: number;

  @Field(() => Int, { description: 'Creators the plan granted: at most what was left in the billing period.' })
  granted: number;

  @Field({ description: 'True when fewer were granted than requested: search for `granted` creators only.' })
  partial: boolean;

  @Field(() => Int, { nullable: true, description: 'Creators found, once completed; the rest of the grant was given back.' })
  found: number | null;

  @Field(() => CreatorSearchStatusModel)
  status: CreatorSearchStatusModel;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;
}
