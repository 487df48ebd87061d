import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.decorator.js';
import { RequireGroups } from '../identity/index.js';
import { NotificationDetailDto, NotificationListDto, NotificationListQuery } from './notification.dto.js';
import { NotificationsService } from './notifications.service.js';
import { IdParam } from '../common/id-param.js';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications')
@RequireGroups('admin')
@ApiErrors(401, 403)
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'List mails, newest first (admin)',
    description: 'Each mail Flowdesk queued: template, recipients, subject, status (queued | sent | failed), tries and the last error.',
  })
  @ApiOkResponse({ type: NotificationListDto })
  @ApiErrors([400, 'Invalid filters; `details` names each problem'])
  list(@Query() query: NotificationListQuery): Promise<NotificationListDto> {
    return this.notifications.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One mail with its rendered bodies (admin)' })
  @ApiOkResponse({ type: NotificationDetailDto })
  @ApiErrors([404, 'No such notification (a malformed id is unknown too)'])
  get(@Param('id', new IdParam('Notification')) id: string): Promise<NotificationDetailDto> {
    return this.notifications.get(id);
  }
}
