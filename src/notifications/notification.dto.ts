import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageQuery, PageDto } from '../common/page.dto.js';
import { NOTIFICATION_STATUSES, type NotificationStatus } from '../persistence/notification.repository.js';

export class NotificationListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() processInstanceId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() taskId?: string;
  @ApiPropertyOptional({ enum: NOTIFICATION_STATUSES }) @IsOptional() @IsIn(NOTIFICATION_STATUSES) status?: NotificationStatus;
  @ApiPropertyOptional({ description: 'Template name, e.g. late-delivery' }) @IsOptional() @IsString() @Length(1, 100) template?: string;
  @ApiPropertyOptional({ description: 'send-task, task-offered, task-assigned, task-reminder, task-escalated, …' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  reason?: string;
}

export class MailboxDto {
  @ApiProperty({ example: 'jane.doe@example.com' }) address: string;
  @ApiPropertyOptional({ example: 'Jane Doe' }) name?: string;
  @ApiPropertyOptional({ description: 'The directory user the address came from' }) userId?: string;
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'late-delivery' }) template: string;
  @ApiProperty({ example: 'send-task', description: 'Why it was sent: send-task, task-offered, task-assigned, task-reminder, task-escalated, …' }) reason: string;
  @ApiProperty({ enum: NOTIFICATION_STATUSES, description: 'queued (waiting or retrying), sent, or failed (refused, or every try failed)' })
  status: NotificationStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) processInstanceId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) taskId: string | null;
  @ApiProperty({ nullable: true, type: String }) elementId: string | null;
  @ApiProperty({ type: [MailboxDto] }) to: MailboxDto[];
  @ApiProperty({ type: [MailboxDto] }) cc: MailboxDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Null when the mail was refused before rendering' }) subject: string | null;
  @ApiProperty({ example: '<0b5c…@flowdesk>', description: 'The same on every try' }) messageId: string;
  @ApiProperty({ description: 'Tries made so far' }) attempts: number;
  @ApiProperty({ description: 'Tries allowed (MAIL_ATTEMPTS)' }) maxAttempts: number;
  @ApiProperty({ nullable: true, type: String, description: 'Why the last try failed, or why the mail was refused' }) lastError: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) sentAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) failedAt: string | null;
}

export class NotificationDetailDto extends NotificationDto {
  @ApiProperty({ nullable: true, type: String }) html: string | null;
  @ApiProperty({ nullable: true, type: String }) text: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The recipients as requested (before the directory resolved them)' })
  requested: Record<string, unknown>;
}

export class NotificationListDto extends PageDto(NotificationDto) {}
