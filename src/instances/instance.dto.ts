import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { PageQuery, PageDto } from '../common/page.dto.js';

export const INSTANCE_STATES = ['active', 'completed', 'terminated', 'canceled', 'suspended', 'incident'] as const;
export type InstanceStateName = (typeof INSTANCE_STATES)[number];

export class StartInstanceBody {
  @ApiPropertyOptional({ description: 'Your business identifier (order number, invoice id…)' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  businessKey?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Initial process variables' })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Definition version to start (latest when omitted)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class VariablesBody {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Merged into the root scope' })
  @IsObject()
  variables: Record<string, unknown>;
}

export class InstanceListQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 255) definitionKey?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 255) businessKey?: string;
  @ApiPropertyOptional({ enum: INSTANCE_STATES }) @IsOptional() @IsIn(INSTANCE_STATES) state?: InstanceStateName;
}

export class ActiveElementDto {
  @ApiProperty() elementId: string;
  @ApiProperty({ description: 'Element kind, e.g. userTask, serviceTask, multiInstanceBody' }) type: string;
  @ApiProperty({ format: 'date-time' }) since: string;
}

export class InstanceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() definitionKey: string;
  @ApiProperty() definitionVersion: number;
  @ApiProperty({ nullable: true, type: String }) businessKey: string | null;
  @ApiProperty({ enum: INSTANCE_STATES }) state: InstanceStateName;
  @ApiProperty({ type: 'object', additionalProperties: true }) variables: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endedAt: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Set on instances started by a call activity' }) parentInstanceId: string | null;
}

export class InstanceDetailDto extends InstanceDto {
  @ApiProperty({ type: [ActiveElementDto] }) activeElements: ActiveElementDto[];
}

export class InstanceListDto extends PageDto(InstanceDto) {}

export class HistoryEventDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ description: 'instance.started, element.entered, task.completed, …' }) type: string;
  @ApiPropertyOptional() elementId?: string;
  @ApiPropertyOptional() elementInstanceId?: string;
  @ApiPropertyOptional() actor?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) data?: Record<string, unknown>;
}

export class HistoryDto {
  @ApiProperty({ type: [HistoryEventDto] }) items: HistoryEventDto[];
}

export class DiagramDto {
  @ApiProperty({ description: 'The BPMN XML of the instance’s definition version' }) xml: string;
  @ApiProperty({ type: [String] }) activeElementIds: string[];
  @ApiProperty({ type: [String] }) completedElementIds: string[];
}

export class IncidentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) processInstanceId: string;
  @ApiProperty() elementId: string;
  @ApiProperty({ enum: ['job-failed', 'expression', 'uncaught-error'] }) type: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ format: 'uuid' }) jobKey?: string;
  @ApiProperty({ enum: ['open', 'resolved'] }) state: 'open' | 'resolved';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ format: 'date-time' }) resolvedAt?: string;
}

export class IncidentListDto extends PageDto(IncidentDto) {}

export class IncidentListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() processInstanceId?: string;
  @ApiPropertyOptional({ enum: ['open', 'resolved'] }) @IsOptional() @IsIn(['open', 'resolved']) state?: 'open' | 'resolved';
}

export class RetryIncidentBody {
  @ApiPropertyOptional({ description: 'Tries for the re-dispatched job', default: 3, maximum: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  retries?: number;
}
