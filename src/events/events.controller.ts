import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, type Principal, RequireGroups } from '../identity/index.js';
import { MessageBody, MessageResultDto, SignalBody, SignalResultDto } from './events.dto.js';
import { MessagesService } from './messages.service.js';
import { SignalsService } from './signals.service.js';

@ApiTags('signals and messages')
@ApiBearerAuth()
@Controller('api')
@RequireGroups('integrator')
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
  @ApiNotFoundResponse({ description: 'Nothing waits for it and no ttl was given; or an unknown processInstanceId' })
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
