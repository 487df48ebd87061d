import { Injectable } from '@nestjs/common';
import { badInput, conflict, notFound } from '../common/domain-error.js';
import { type Page, pageOf } from '../common/page.dto.js';
import { type DirectoryGroupRow, DirectoryRepository, type DirectoryUserRow } from '../persistence/directory.repository.js';
import { groupIdProblem, userIdProblem } from './directory-rules.js';
import type { CreateGroupBody, CreateUserBody, GroupDto, GroupListQuery, MeDto, UpdateGroupBody, UpdateUserBody, UserDto, UserListQuery } from './directory.dto.js';
import type { Principal } from './principal.js';

/** Users, groups and memberships for the admin API. */
@Injectable()
export class DirectoryService {
  constructor(private readonly directory: DirectoryRepository) {}

  async me(caller: Principal): Promise<MeDto> {
    const user = await this.directory.findUser(caller.id);
    return {
      id: caller.id,
      name: user?.name ?? caller.name ?? null,
      email: user?.email ?? caller.email ?? null,
      groups: [...caller.groups],
      inDirectory: user !== null,
    };
  }

  async listUsers(query: UserListQuery): Promise<Page<UserDto>> {
    const { items, total } = await this.directory.listUsers({ q: query.q, group: query.group, page: query.page, size: query.size });
    return pageOf(items.map(toUserDto), total, query);
  }

  async getUser(id: string): Promise<UserDto> {
    return toUserDto(await this.requireUser(id));
  }

  async createUser(body: CreateUserBody): Promise<UserDto> {
    if (!(await this.directory.createUser({ id: body.id, name: body.name ?? null, email: body.email ?? null }))) throw conflict(`User ${body.id} already exists`);
    return this.getUser(body.id);
  }

  async updateUser(id: string, body: UpdateUserBody): Promise<UserDto> {
    validUserId(id);
    if (!(await this.directory.updateUser(id, { ...(body.name !== undefined && { name: body.name }), ...(body.email !== undefined && { email: body.email }) }))) {
      throw notFound(`User ${id} not found`);
    }
    return this.getUser(id);
  }

  async deleteUser(id: string): Promise<void> {
    validUserId(id);
    if (!(await this.directory.deleteUser(id))) throw notFound(`User ${id} not found`);
  }

  async listGroups(query: GroupListQuery): Promise<Page<GroupDto>> {
    const { items, total } = await this.directory.listGroups({ q: query.q, page: query.page, size: query.size });
    return pageOf(items.map(toGroupDto), total, query);
  }

  async getGroup(id: string): Promise<GroupDto> {
    validGroupId(id);
    const group = await this.directory.findGroup(id);
    if (!group) throw notFound(`Group ${id} not found`);
    return toGroupDto(group);
  }

  async createGroup(body: CreateGroupBody): Promise<GroupDto> {
    if (!(await this.directory.createGroup({ id: body.id, name: body.name ?? null }))) throw conflict(`Group ${body.id} already exists`);
    return this.getGroup(body.id);
  }

  async updateGroup(id: string, body: UpdateGroupBody): Promise<GroupDto> {
    validGroupId(id);
    if (!(await this.directory.updateGroup(id, { ...(body.name !== undefined && { name: body.name }) }))) throw notFound(`Group ${id} not found`);
    return this.getGroup(id);
  }

  async deleteGroup(id: string): Promise<void> {
    validGroupId(id);
    if (!(await this.directory.deleteGroup(id))) throw notFound(`Group ${id} not found`);
  }

  async members(id: string, query: UserListQuery): Promise<Page<UserDto>> {
    await this.getGroup(id);
    const { items, total } = await this.directory.listUsers({ q: query.q, group: id, page: query.page, size: query.size });
    return pageOf(items.map(toUserDto), total, query);
  }

  /** Idempotent: true when the membership is new. */
  async addMember(groupId: string, userId: string): Promise<boolean> {
    validGroupId(groupId);
    validUserId(userId);
    const outcome = await this.directory.addMember(groupId, userId);
    if (outcome === 'no-group') throw notFound(`Group ${groupId} not found`);
    if (outcome === 'no-user') throw notFound(`User ${userId} not found`);
    return outcome === 'added';
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    validGroupId(groupId);
    validUserId(userId);
    if (!(await this.directory.removeMember(groupId, userId))) throw notFound(`User ${userId} is not a member of ${groupId}`);
  }

  private async requireUser(id: string): Promise<DirectoryUserRow> {
    validUserId(id);
    const user = await this.directory.findUser(id);
    if (!user) throw notFound(`User ${id} not found`);
    return user;
  }
}

function validUserId(id: string): void {
  const problem = userIdProblem(id);
  if (problem) throw badInput(`Invalid user id: ${problem}`);
}

function validGroupId(id: string): void {
  const problem = groupIdProblem(id);
  if (problem) throw badInput(`Invalid group id: ${problem}`);
}

const iso = (value: Date) => new Date(value).toISOString();

function toUserDto(row: DirectoryUserRow): UserDto {
  return { id: row.id, name: row.name, email: row.email, groups: row.groups, createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}

function toGroupDto(row: DirectoryGroupRow): GroupDto {
  return { id: row.id, name: row.name, memberCount: row.memberCount, createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}
