import { Field, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { MAX_CAPACITY_AMOUNT } from '../enforcement/capacity-amount.util.js';

@InputType('StartCreatorSearchInput')
export class StartCreatorSearchInput {
  @Field()
  @IsString()
  @Length(1, 200)
  query: string;

  @Field(() => Int, { description: 'How many creators the search wants; the plan may grant fewer.' })
  @IsInt()
  @Min(1)
  @Max(MAX_CAPACITY_AMOUNT)
  expectedCreators: number;
}
