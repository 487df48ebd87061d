import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQuery, PageDto } from '../common/page.dto.js';

export class DeployedDefinitionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'The BPMN process id' }) key: string;
  @ApiProperty() version: number;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ description: 'false when an identical model was already the latest version' }) isNew: boolean;
}

export class DeploymentWarningDto {
  @ApiProperty() elementId: string;
  @ApiProperty() message: string;
}

export class DeploymentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: [DeployedDefinitionDto] }) definitions: DeployedDefinitionDto[];
  @ApiProperty({ type: [DeploymentWarningDto] }) warnings: DeploymentWarningDto[];
}

export class DeploymentListDto extends PageDto(DeploymentDto) {}

export class ProcessDefinitionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() key: string;
  @ApiProperty() version: number;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ format: 'uuid' }) deploymentId: string;
  @ApiProperty({ description: 'File name of the uploaded resource' }) resourceName: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ProcessDefinitionListDto extends PageDto(ProcessDefinitionDto) {}

export class DeploymentNameQuery {
  @ApiPropertyOptional({ description: 'Deployment name for a raw XML upload' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}

export class DefinitionListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Only this process id' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  key?: string;

  @ApiPropertyOptional({ description: 'Only the latest version of each key' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  latest?: boolean;
}

export class XmlVersionQuery {
  @ApiPropertyOptional({ description: 'Version to download (latest when omitted)' })
  @IsOptional()
  @Matches(/^[1-9]\d{0,8}$/, { message: 'version must be a positive integer' })
  version?: string;
}
