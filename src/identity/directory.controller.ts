import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, JSON_TOO_LARGE } from '../common/api-errors.decorator.js';
import { CurrentUser, RequireGroups } from './auth.decorators.js';
import {
  CreateGroupBody,
  CreateUserBody,
  GroupDto,
  GroupListDto,
  GroupListQuery,
  MeDto,
  UpdateGroupBody,
  UpdateUserBody,
  UserDto,
  UserListDto,
  UserListQuery,
} from './directory.dto.js';
import { DirectoryService } from './directory.service.js';
import type { Principal } from './principal.js';

const BAD_USER_ID: [400, string] = [400, 'A malformed user id'];
const BAD_GROUP_ID: [400, string] = [400, 'A malformed group id'];
const NO_USER: [404, string] = [404, 'Unknown user'];
const NO_GROUP: [404, string] = [404, 'Unknown group'];

@ApiTags('directory')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('api/users')
export class UsersController {
  constructor(private readonly directory: DirectoryService) {}

  @Get('me')
  @ApiOperation({ summary: 'The caller: profile and effective groups (token roles plus directory)' })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentUser() caller: Principal): Promise<MeDto> {
    return this.directory.me(caller);
  }

  @Get()
  @RequireGroups('admin')
  @ApiOperation({ summary: 'Users of the directory (`q` in id/name/email, `group`)' })
  @ApiOkResponse({ type: UserListDto })
  @ApiErrors(400, 403)
  list(@Query() query: UserListQuery): Promise<UserListDto> {
    return this.directory.listUsers(query);
  }

  @Post()
  @RequireGroups('admin')
  @ApiOperation({ summary: 'Add a user' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, 403, [409, 'The id is taken'], JSON_TOO_LARGE)
  create(@Body() body: CreateUserBody): Promise<UserDto> {
    return this.directory.createUser(body);
  }

  @Get(':id')
  @RequireGroups('admin')
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(BAD_USER_ID, 403, NO_USER)
  get(@Param('id') id: string): Promise<UserDto> {
    return this.directory.getUser(id);
  }

  @Patch(':id')
  @RequireGroups('admin')
  @ApiOperation({ summary: 'Change name and/or email' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors([400, 'A malformed user id or an invalid body'], 403, NO_USER, JSON_TOO_LARGE)
  update(@Param('id') id: string, @Body() body: UpdateUserBody): Promise<UserDto> {
    return this.directory.updateUser(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireGroups('admin')
  @ApiOperation({ summary: 'Remove a user and their memberships (tasks keep their assignee text)' })
  @ApiNoContentResponse()
  @ApiErrors(BAD_USER_ID, 403, NO_USER)
  remove(@Param('id') id: string): Promise<void> {
    return this.directory.deleteUser(id);
  }
}

@ApiTags('directory')
@ApiBearerAuth()
@RequireGroups('admin')
@ApiErrors(401, 403)
@Controller('api/groups')
export class GroupsController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @ApiOperation({ summary: 'Groups of the directory (`q` in id/name)' })
  @ApiOkResponse({ type: GroupListDto })
  @ApiErrors(400)
  list(@Query() query: GroupListQuery): Promise<GroupListDto> {
    return this.directory.listGroups(query);
  }

  @Post()
  @ApiOperation({ summary: 'Add a group' })
  @ApiCreatedResponse({ type: GroupDto })
  @ApiErrors(400, [409, 'The id is taken'], JSON_TOO_LARGE)
  create(@Body() body: CreateGroupBody): Promise<GroupDto> {
    return this.directory.createGroup(body);
  }

  @Get(':id')
  @ApiOkResponse({ type: GroupDto })
  @ApiErrors(BAD_GROUP_ID, NO_GROUP)
  get(@Param('id') id: string): Promise<GroupDto> {
    return this.directory.getGroup(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: GroupDto })
  @ApiErrors([400, 'A malformed group id or an invalid body'], NO_GROUP, JSON_TOO_LARGE)
  update(@Param('id') id: string, @Body() body: UpdateGroupBody): Promise<GroupDto> {
    return this.directory.updateGroup(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a group and its memberships (tasks keep their candidate group text)' })
  @ApiNoContentResponse()
  @ApiErrors(BAD_GROUP_ID, NO_GROUP)
  remove(@Param('id') id: string): Promise<void> {
    return this.directory.deleteGroup(id);
  }

  @Get(':id/members')
  @ApiOperation({ summary: 'Members of the group' })
  @ApiOkResponse({ type: UserListDto })
  @ApiErrors([400, 'A malformed group id or an invalid query'], NO_GROUP)
  members(@Param('id') id: string, @Query() query: UserListQuery): Promise<UserListDto> {
    return this.directory.members(id, query);
  }

  @Put(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Make the user a member (idempotent)' })
  @ApiNoContentResponse()
  @ApiErrors([400, 'A malformed group or user id'], [404, 'Unknown group or user'])
  async addMember(@Param('id') id: string, @Param('userId') userId: string): Promise<void> {
    await this.directory.addMember(id, userId);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a membership' })
  @ApiNoContentResponse()
  @ApiErrors([400, 'A malformed group or user id'], [404, 'Not a member'])
  removeMember(@Param('id') id: string, @Param('userId') userId: string): Promise<void> {
    return this.directory.removeMember(id, userId);
  }
}
