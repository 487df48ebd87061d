import { Injectable } from '@nestjs/common';
import { notFound } from '../common/domain-error.js';
import type { Page } from '../common/page.dto.js';
import { NotificationRepository, type NotificationSummaryRow } from '../persistence/notification.repository.js';
import type { NotificationDetailDto, NotificationDto, NotificationListQuery } from './notification.dto.js';

/** The read side of GET /api/notifications. */
@Injectable()
export class NotificationsService {
  constructor(private readonly notifications: NotificationRepository) {}

  async list(query: NotificationListQuery): Promise<Page<NotificationDto>> {
    const { items, total } = await this.notifications.list({
      processInstanceId: query.processInstanceId,
      taskId: query.taskId,
      status: query.status,
      template: query.template,
      reason: query.reason,
      page: query.page,
      size: query.size,
    });
    return { items: items.map(toDto), total, page: query.page, size: query.size };
  }

  async get(id: string): Promise<NotificationDetailDto> {
    const row = await this.notifications.find(id);
    if (!row) throw notFound(`notification ${id} not found`);
    return { ...toDto(row), html: row.html, text: row.text, requested: row.requested };
  }
}

const iso = (value: Date | null): string | null => (value ? new Date(value).toISOString() : null);

function toDto(row: NotificationSummaryRow): NotificationDto {
  return {
    id: row.id,
    template: row.template,
    reason: row.reason,
    status: row.status,
    processInstanceId: row.processInstanceId,
    taskId: row.taskId,
    elementId: row.elementId,
    to: row.to,
    cc: row.cc,
    subject: row.subject,
    messageId: row.messageId,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    lastError: row.lastError,
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
    sentAt: iso(row.sentAt),
    failedAt: iso(row.failedAt),
  };
}
