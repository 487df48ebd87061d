import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { PageQuery, PageDto } from '../common/page.dto.js';
import { EMAIL_PATTERN, GROUP_ID_PATTERN, MAX_EMAIL_LENGTH, MAX_NAME_LENGTH, USER_ID_PATTERN } from './directory-rules.js';

const ONE_LINE = /^[^\r\n]*\S[^\r\n]*$/;

/** An optional display name: one non-blank line. */
const NameRules = () => applyDecorators(IsOptional(), IsString(), Length(1, MAX_NAME_LENGTH), Matches(ONE_LINE, { message: 'name must be one non-blank line' }));
/** An optional e-mail address, checked as the directory stores it. */
const EmailRules = () => applyDecorators(IsOptional(), IsString(), MaxLength(MAX_EMAIL_LENGTH), Matches(EMAIL_PATTERN, { message: 'email must be an email address' }));

export class CreateUserBody {
  @ApiProperty({ description: 'The user id tokens carry as `sub`', example: 'alice' })
  @IsString()
  @Matches(USER_ID_PATTERN, { message: 'id must be 1-255 characters without spaces or commas' })
  id: string;

  @ApiPropertyOptional({ example: 'Alice Smith' })
  @NameRules()
  name?: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  @EmailRules()
  email?: string;
}

export class UpdateUserBody {
  @ApiPropertyOptional({ nullable: true, type: String, description: 'null clears it' })
  @ValidateIf((_body, value) => value !== null)
  @NameRules()
  name?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null clears it' })
  @ValidateIf((_body, value) => value !== null)
  @EmailRules()
  email?: string | null;
}

export class CreateGroupBody {
  @ApiProperty({ description: 'The name BPMN candidate groups and token roles use', example: 'accounting' })
  @IsString()
  @Matches(GROUP_ID_PATTERN, { message: 'id must be 1-128 characters without spaces or commas' })
  id: string;

  @ApiPropertyOptional({ example: 'Accounting' })
  @NameRules()
  name?: string;
}

export class UpdateGroupBody {
  @ApiPropertyOptional({ nullable: true, type: String, description: 'null clears it' })
  @ValidateIf((_body, value) => value !== null)
  @NameRules()
  name?: string | null;
}

export class UserListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Text in id, name or email' }) @IsOptional() @IsString() @Length(1, 200) q?: string;
  @ApiPropertyOptional({ description: 'Members of this group only' })
  @IsOptional()
  @IsString()
  @Matches(GROUP_ID_PATTERN, { message: 'group must be a group id' })
  group?: string;
}

export class GroupListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Text in id or name' }) @IsOptional() @IsString() @Length(1, 200) q?: string;
}

export class UserDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ type: [String], description: 'Directory groups (token roles come on top at sign-in)' }) groups: string[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class UserListDto extends PageDto(UserDto) {}

export class GroupDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty() memberCount: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class GroupListDto extends PageDto(GroupDto) {}

export class MeDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ type: [String], description: 'Effective groups: token roles plus directory memberships' }) groups: string[];
  @ApiProperty({ description: 'Whether the directory knows this user' }) inDirectory: boolean;
}
