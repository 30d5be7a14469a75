import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/exceptions/app.exception.js';

export enum CampaignsErrorCode {
  CAMPAIGN_NOT_FOUND = 'CAMPAIGN_NOT_FOUND',
}

const STATUS: Record<CampaignsErrorCode, HttpStatus> = {
  [CampaignsErrorCode.CAMPAIGN_NOT_FOUND]: HttpStatus.NOT_FOUND,
};

export class CampaignsException extends AppException<CampaignsErrorCode> {
  constructor(code: CampaignsErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, STATUS[code], details);
  }
}
