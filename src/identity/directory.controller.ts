import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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

@ApiTags('directory')
@ApiBearerAuth()
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
  list(@Query() query: UserListQuery): Promise<UserListDto> {
    return this.directory.listUsers(query);
  }

  @Post()
  @RequireGroups('admin')
  @ApiOperation({ summary: 'Add a user' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'The id is taken' })
  create(@Body() body: CreateUserBody): Promise<UserDto> {
    return this.directory.createUser(body);
  }

  @Get(':id')
  @RequireGroups('admin')
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<UserDto> {
    return this.directory.getUser(id);
  }

  @Patch(':id')
  @RequireGroups('admin')
  @ApiOperation({ summary: 'Change name and/or email' })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse()
  update(@Param('id') id: string, @Body() body: UpdateUserBody): Promise<UserDto> {
    return this.directory.updateUser(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireGroups('admin')
  @ApiOperation({ summary: 'Remove a user and their memberships (tasks keep their assignee text)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(@Param('id') id: string): Promise<void> {
    return this.directory.deleteUser(id);
  }
}

@ApiTags('directory')
@ApiBearerAuth()
@RequireGroups('admin')
@Controller('api/groups')
export class GroupsController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @ApiOperation({ summary: 'Groups of the directory (`q` in id/name)' })
  @ApiOkResponse({ type: GroupListDto })
  list(@Query() query: GroupListQuery): Promise<GroupListDto> {
    return this.directory.listGroups(query);
  }

  @Post()
  @ApiOperation({ summary: 'Add a group' })
  @ApiCreatedResponse({ type: GroupDto })
  @ApiConflictResponse({ description: 'The id is taken' })
  create(@Body() body: CreateGroupBody): Promise<GroupDto> {
    return this.directory.createGroup(body);
  }

  @Get(':id')
  @ApiOkResponse({ type: GroupDto })
  @ApiNotFoundResponse()
  get(@Param('id') id: string): Promise<GroupDto> {
    return this.directory.getGroup(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: GroupDto })
  @ApiNotFoundResponse()
  update(@Param('id') id: string, @Body() body: UpdateGroupBody): Promise<GroupDto> {
    return this.directory.updateGroup(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a group and its memberships (tasks keep their candidate group text)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(@Param('id') id: string): Promise<void> {
    return this.directory.deleteGroup(id);
  }

  @Get(':id/members')
  @ApiOperation({ summary: 'Members of the group' })
  @ApiOkResponse({ type: UserListDto })
  @ApiNotFoundResponse()
  members(@Param('id') id: string, @Query() query: UserListQuery): Promise<UserListDto> {
    return this.directory.members(id, query);
  }

  @Put(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Make the user a member (idempotent)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'Unknown group or user' })
  async addMember(@Param('id') id: string, @Param('userId') userId: string): Promise<void> {
    await this.directory.addMember(id, userId);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a membership' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'Not a member' })
  removeMember(@Param('id') id: string, @Param('userId') userId: string): Promise<void> {
    return this.directory.removeMember(id, userId);
  }
}
