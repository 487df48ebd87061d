// The mail surface other modules use; import from here rather than from individual files.
export { MailService } from './mail.service.js';
export { MAIL_NOTIFY_KIND, MAIL_SEND_KIND, type MailContextInput, type MailRequest, type NotificationReason, type QueuedNotification } from './mail-request.js';
export { type Recipient, RecipientError, recipientsFromHeader } from './recipients.js';
export { TemplateRegistry } from './template-registry.js';
export { REQUIRED_TEMPLATES, type TemplateContext } from './templates.js';
export { NotificationsModule } from './notifications.module.js';
