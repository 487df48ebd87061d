import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsObject, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Correlation keys are text; a number (an order number) is taken as its text, as Zeebe does. */
const keyText = ({ value }: { value: unknown }) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : trimmed({ value }));
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

export class SignalBody {
  @ApiProperty({ description: 'Signal name as the model names it (the evaluated name of a FEEL name)', example: 'warehouse-closed' })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @Length(1, 255)
  @Matches(NO_CONTROL_CHARS, { message: 'name must not contain control characters' })
  name: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Set where each catching event puts its result (output mappings apply)' })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;
}

export class SignalResultDto {
  @ApiProperty({ description: 'Subscriptions fired (catch events, boundary events, event-subprocess starts) plus instances started by signal start events' })
  delivered: number;
}

export class MessageBody {
  @ApiProperty({ description: 'Message name as the model names it', example: 'delivery-confirmed' })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @Length(1, 255)
  @Matches(NO_CONTROL_CHARS, { message: 'name must not contain control characters' })
  name: string;

  @ApiPropertyOptional({ description: 'Matches subscriptions whose zeebe:subscription correlationKey evaluated to this', example: 'A-1001' })
  @IsOptional()
  @Transform(keyText)
  @IsString()
  @Length(1, 255)
  correlationKey?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only subscriptions of this instance' })
  @IsOptional()
  @IsUUID()
  processInstanceId?: string;

  @ApiPropertyOptional({ description: 'Only subscriptions of instances with this business key' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @Length(1, 255)
  businessKey?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Set where the catching element puts its result (output mappings apply)' })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Accepted once per message name (remembered 24 h, or the ttl when longer); a repeat answers 200 { duplicate: true }' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  messageId?: string;

  @ApiPropertyOptional({ description: 'ISO-8601 duration (max P366D): when no subscription waits, buffer the message this long', example: 'PT1H' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  ttl?: string;
}

export class MessageResultDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Correlated: the instance that received the message (or that a message start event started)' })
  processInstanceId?: string;

  @ApiPropertyOptional({ description: 'Correlated: the catching element (catch event, receive task, boundary event, event-subprocess or process start event)' })
  elementId?: string;

  @ApiPropertyOptional({ description: '202: nothing waited; the message is buffered until `expiresAt`' })
  buffered?: boolean;

  @ApiPropertyOptional({ format: 'date-time' })
  expiresAt?: string;

  @ApiPropertyOptional({ description: 'This messageId was accepted before; nothing happened' })
  duplicate?: boolean;
}
