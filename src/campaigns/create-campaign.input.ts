import { Field, InputType } from '@nestjs/graphql';
import { IsString, Length } from 'class-validator';

@InputType('CreateCampaignInput')
export class CreateCampaignInput {
  @Field()
  @IsString()
  @Length(1, 120)
  name: string;
}
