import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors, JSON_TOO_LARGE } from '../common/api-errors.decorator.js';
import { CurrentUser, type Principal, RequireGroups } from '../identity/index.js';
import { MessageBody, MessageResultDto, SignalBody, SignalResultDto } from './events.dto.js';
import { MessagesService } from './messages.service.js';
import { SignalsService } from './signals.service.js';

@ApiTags('signals and messages')
@ApiBearerAuth()
@Controller('api')
@RequireGroups('integrator')
@ApiErrors(401, 403)
export class EventsController {
  constructor(
    private readonly signals: SignalsService,
    private readonly messages: MessagesService,
  ) {}

  @Post('signals')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Broadcast a signal',
    description:
      'Every waiting signal catch event, signal boundary event and event-subprocess signal start with this name fires, and each ' +
      'signal start event starts an instance of the latest version. Answers when the broadcast is complete.',
  })
  @ApiOkResponse({ type: SignalResultDto })
  @ApiErrors([400, 'Invalid body; `details` names each problem'], JSON_TOO_LARGE, [503, 'The service is shutting down; the broadcast is finished by another replica or after restart'])
  async signal(@Body() body: SignalBody): Promise<SignalResultDto> {
    const result = await this.signals.broadcast(body.name, body.variables ?? {});
    return { delivered: result.delivered };
  }

  @Post('messages')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish a message',
    description:
      'Correlated to ONE subscription: the oldest open one that matches (correlationKey, businessKey, processInstanceId: all given ' +
      'criteria must hold); else a message start event starts an instance; else, with a ttl, the message is buffered (202) and goes ' +
      'to the first matching subscription that opens before it expires; else 404. A repeated messageId answers { duplicate: true }.',
  })
  @ApiOkResponse({ type: MessageResultDto, description: 'Correlated ({ processInstanceId, elementId }) or a duplicate ({ duplicate: true })' })
  @ApiAcceptedResponse({ type: MessageResultDto, description: 'Buffered ({ buffered: true, expiresAt })' })
  @ApiErrors(
    [400, 'Invalid body, or a ttl that is not an ISO-8601 duration up to P366D'],
    [404, 'Nothing waits for it and no ttl was given; or an unknown processInstanceId'],
    [409, 'Subscriptions kept changing under it; nothing happened, send it again'],
    JSON_TOO_LARGE,
  )
  async message(@Body() body: MessageBody, @CurrentUser() caller: Principal, @Res({ passthrough: true }) response: Response): Promise<MessageResultDto> {
    const outcome = await this.messages.publish(body, caller.id);
    switch (outcome.kind) {
      case 'correlated':
        return { processInstanceId: outcome.processInstanceId, elementId: outcome.elementId };
      case 'buffered':
        response.status(202);
        return { buffered: true, expiresAt: outcome.expiresAt.toISOString() };
      case 'duplicate':
        return { duplicate: true };
    }
  }
}
