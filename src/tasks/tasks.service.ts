import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { badInput, conflict, DomainError, forbidden, notFound } from '../common/domain-error.js';
import { type Page, pageOf, type PageQuery } from '../common/page.dto.js';
import { pickVariables, taskVariables } from '../engine/task-variables.js';
import type { InstanceState } from '../engine/types.js';
import { isAdmin, type Principal } from '../identity/index.js';
import type { TaskFilter, Viewer } from '../persistence/task-query.js';
import { type CommentRow, type TaskDetailRow, TaskRepository, type TaskRow } from '../persistence/task.repository.js';
import { CommandExecutor } from '../runtime/command-executor.js';
import { OutboxRelay } from '../runtime/outbox-relay.js';
import { validateAgainstForm } from './form-validation.js';
import type { BulkBody, BulkItemResultDto, BulkResultDto, CommentDto, TaskDetailDto, TaskDto, TaskListQuery } from './task.dto.js';

/**
 * The worklist rules. Visibility is decided by SQL (every statement carries it); this service
 * picks the statement and, when a conditional statement found nothing, reads the task once more
 * to answer with the right status: 404 unknown, 403 not offered to the caller, 409 state conflict.
 */
@Injectable()
export class TasksService {
  /** Completions under way in this process, by task id (see complete()). */
  private readonly completing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly tasks: TaskRepository,
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
    private readonly relay: OutboxRelay,
  ) {}

  async list(query: TaskListQuery, caller: Principal): Promise<Page<TaskDto>> {
    const viewer = viewerOf(caller);
    const filter = this.filterOf(query, viewer);
    const { items, total } = await this.tasks.list(filter, viewer);
    const only = query.variables?.split(',').map((name) => name.trim());
    const dtos = query.withVariables === true || only !== undefined ? await this.withVariables(items, only) : items.map((row) => toTaskDto(row));
    return pageOf(dtos, total, query);
  }

  async get(id: string, caller: Principal): Promise<TaskDetailDto> {
    const task = await this.visible(id, viewerOf(caller));
    const states = await this.tasks.instanceStates([task.processInstanceId]);
    return {
      ...toTaskDto(task),
      variables: taskVariables(states.get(task.processInstanceId) as InstanceState | undefined, task.elementInstanceId),
      form: formOf(task),
    };
  }

  async claim(id: string, caller: Principal): Promise<TaskDto> {
    const viewer = viewerOf(caller);
    const claimed = await this.tasks.claim(id, viewer, this.clock.now());
    if (claimed) return toTaskDto(claimed);
    const task = await this.explain(id, viewer);
    if (task.assignee === viewer.id) return toTaskDto(task);
    throw heldBy(task);
  }

  async unclaim(id: string, caller: Principal): Promise<TaskDto> {
    const viewer = viewerOf(caller);
    const released = await this.tasks.unclaim(id, viewer, this.clock.now());
    if (released) return toTaskDto(released);
    const task = await this.explain(id, viewer);
    if (task.assignee === null) return toTaskDto(task);
    throw heldBy(task);
  }

  async assign(id: string, assignee: string, caller: Principal): Promise<TaskDto> {
    const viewer = viewerOf(caller);
    const assigned = await this.tasks.assign(id, viewer, assignee, this.clock.now());
    if (assigned) {
      if (assigned.notified) this.relay.kick();
      return toTaskDto(assigned);
    }
    const task = await this.explain(id, viewer);
    if (task.assignee === assignee) return toTaskDto(task);
    throw heldBy(task);
  }

  /**
   * Holder completes; someone merely offered the task claims it first (one conditional UPDATE, so
   * of racing callers exactly one proceeds) and the engine command follows. Racing completions by
   * the same holder serialise on the instance lock in the CommandExecutor: one applies, the rest
   * find the task gone ('stale') → 409. A failed completion gives an implicit claim back.
   */
  async complete(id: string, variables: Record<string, unknown>, caller: Principal): Promise<TaskDto> {
    const viewer = viewerOf(caller);
    const task = await this.visible(id, viewer);
    if (task.state !== 'open') throw conflict(`Task ${id} is ${task.state}`);
    if (task.assignee !== null && task.assignee !== viewer.id) throw heldBy(task);

    if (task.form) {
      const states = await this.tasks.instanceStates([task.processInstanceId]);
      const existing = taskVariables(states.get(task.processInstanceId) as InstanceState | undefined, task.elementInstanceId);
      const problems = validateAgainstForm(task.form, variables, existing);
      if (problems.length > 0) {
        throw new DomainError('unprocessable', `The variables do not satisfy the task's form: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
      }
    }

    // Checked before the implicit claim, so a refused completion leaves no claim/unclaim in the history.
    if ((await this.tasks.instanceStatus(task.processInstanceId)) === 'suspended') throw conflict(`Process instance ${task.processInstanceId} is suspended`);

    let claimedHere = false;
    if (task.assignee === null) {
      claimedHere = (await this.tasks.claim(id, viewer, this.clock.now())) !== null;
      if (!claimedHere) {
        const now = await this.explain(id, viewer);
        if (now.assignee !== viewer.id) throw heldBy(now);
      }
    }
    // A double submit (the holder's completion already running here) waits for it instead of
    // queueing another transaction on the instance lock: once that one finished, this one is a 409.
    const running = this.completing.get(id);
    if (running && (await running.then(() => true, () => false))) throw conflict(`Task ${id} is no longer open`);
    const execution = this.executor.execute(task.processInstanceId, { type: 'completeUserTask', taskId: id, variables, actor: viewer.id }, viewer.id);
    this.completing.set(id, execution);
    let outcome;
    try {
      outcome = await execution;
    } catch (error) {
      if (claimedHere) await this.tasks.unclaim(id, viewer, this.clock.now(), true);
      throw error;
    } finally {
      if (this.completing.get(id) === execution) this.completing.delete(id);
    }
    if (outcome === 'stale') throw conflict(`Task ${id} is no longer open`);
    const done = await this.tasks.find(id);
    return toTaskDto(done!);
  }

  async comments(id: string, page: PageQuery, caller: Principal): Promise<Page<CommentDto>> {
    await this.visible(id, viewerOf(caller));
    const { items, total } = await this.tasks.comments(id, page.page, page.size);
    return pageOf(items.map(toCommentDto), total, page);
  }

  async addComment(id: string, text: string, caller: Principal): Promise<CommentDto> {
    const viewer = viewerOf(caller);
    const comment = await this.tasks.addComment(id, viewer, text, this.clock.now());
    if (comment) return toCommentDto(comment);
    await this.explain(id, viewer, false);
    // Offered between the two statements (a membership just added): once more.
    const retried = await this.tasks.addComment(id, viewer, text, this.clock.now());
    if (!retried) throw forbidden(`Task ${id} is not offered to you`);
    return toCommentDto(retried);
  }

  /** Each task as its single endpoint would treat it, one after another, in request order. */
  async bulk(body: BulkBody, caller: Principal): Promise<BulkResultDto> {
    const results: BulkItemResultDto[] = [];
    for (const taskId of body.taskIds) {
      try {
        const task = await this.bulkOne(body, taskId, caller);
        results.push({ taskId, status: 200, task });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const status = STATUS[error.code];
        results.push({ taskId, status, error: { statusCode: status, error: REASON[status] ?? 'Error', message: error.message, details: [...error.details] } });
      }
    }
    const succeeded = results.filter((r) => r.status === 200).length;
    return { action: body.action, results, succeeded, failed: results.length - succeeded };
  }

  private bulkOne(body: BulkBody, taskId: string, caller: Principal): Promise<TaskDto> {
    switch (body.action) {
      case 'claim':
        return this.claim(taskId, caller);
      case 'unclaim':
        return this.unclaim(taskId, caller);
      case 'assign':
        return this.assign(taskId, body.assignee!, caller);
      case 'complete':
        return this.complete(taskId, body.variables ?? {}, caller);
    }
  }

  private filterOf(query: TaskListQuery, viewer: Viewer): TaskFilter {
    let assignee: string | undefined;
    let anyAssignee = false;
    if (query.assignee === 'any') anyAssignee = true;
    else if (query.assignee === 'me' || query.assignee === viewer.id) assignee = viewer.id;
    else if (query.assignee !== undefined) {
      if (!viewer.admin) throw forbidden(`Listing the tasks of another user (${query.assignee}) requires the group admin`);
      assignee = query.assignee;
    }
    if (query.candidateGroup !== undefined && !viewer.admin && !viewer.groups.includes(query.candidateGroup)) {
      throw forbidden(`You are not a member of the group ${query.candidateGroup}`);
    }
    const dueBefore = query.dueBefore === undefined ? undefined : new Date(query.dueBefore);
    const dueAfter = query.dueAfter === undefined ? undefined : new Date(query.dueAfter);
    if ((dueBefore && Number.isNaN(dueBefore.getTime())) || (dueAfter && Number.isNaN(dueAfter.getTime()))) throw badInput('dueBefore/dueAfter must be valid date-times');
    const sort = query.sort ?? 'created';
    return {
      ...(assignee !== undefined && { assignee }),
      anyAssignee,
      ...(query.candidateGroup !== undefined && { candidateGroup: query.candidateGroup }),
      ...(query.unassigned !== undefined && { unassigned: query.unassigned }),
      state: query.state ?? 'open',
      ...(query.definitionKey !== undefined && { definitionKey: query.definitionKey }),
      ...(query.processInstanceId !== undefined && { processInstanceId: query.processInstanceId }),
      ...(query.businessKey !== undefined && { businessKey: query.businessKey }),
      ...(dueBefore !== undefined && { dueBefore }),
      ...(dueAfter !== undefined && { dueAfter }),
      ...(query.overdue !== undefined && { overdue: query.overdue }),
      ...(query.priorityMin !== undefined && { priorityMin: query.priorityMin }),
      ...(query.priorityMax !== undefined && { priorityMax: query.priorityMax }),
      ...(query.q !== undefined && { q: query.q }),
      sort,
      order: query.order ?? (sort === 'priority' ? 'desc' : 'asc'),
      page: query.page,
      size: query.size,
      now: this.clock.now(),
    };
  }

  private async withVariables(items: TaskRow[], only: string[] | undefined): Promise<TaskDto[]> {
    const states = await this.tasks.instanceStates(items.map((task) => task.processInstanceId));
    return items.map((task) => ({
      ...toTaskDto(task),
      variables: pickVariables(taskVariables(states.get(task.processInstanceId) as InstanceState | undefined, task.elementInstanceId), only),
    }));
  }

  /** The task if the viewer may see it; 404 when it does not exist, 403 when it is not theirs. */
  private async visible(id: string, viewer: Viewer): Promise<TaskDetailRow> {
    let task = await this.tasks.findVisible(id, viewer);
    if (task) return task;
    await this.explain(id, viewer, false);
    // Offered between the two statements (a membership just added): once more.
    task = await this.tasks.findVisible(id, viewer);
    if (!task) throw forbidden(`Task ${id} is not offered to you`);
    return task;
  }

  /**
   * After a conditional statement changed nothing: 404 / 403 / 409 (not open, unless `mustBeOpen`
   * is false), or the task as it is now (the caller decides between 200 and 409).
   */
  private async explain(id: string, viewer: Viewer, mustBeOpen = true): Promise<TaskRow> {
    const task = await this.tasks.find(id);
    if (!task) throw notFound(`Task ${id} not found`);
    if (!mayAccess(task, viewer)) throw forbidden(`Task ${id} is not offered to you`);
    if (mustBeOpen && task.state !== 'open') throw conflict(`Task ${id} is ${task.state}`);
    return task;
  }
}

function viewerOf(principal: Principal): Viewer {
  return { id: principal.id, groups: principal.groups, admin: isAdmin(principal) };
}

/** The same rule as task-query's visibleClause, used only to word an answer after SQL said no. */
function mayAccess(task: TaskRow, viewer: Viewer): boolean {
  return viewer.admin || task.assignee === viewer.id || task.candidateUsers.includes(viewer.id) || task.candidateGroups.some((group) => viewer.groups.includes(group));
}

function heldBy(task: TaskRow): DomainError {
  return conflict(`Task ${task.id} is held by ${task.assignee}`);
}

function formOf(task: TaskDetailRow): TaskDetailDto['form'] {
  const form = task.form;
  if (!form || (form.schema === undefined && form.fields === undefined)) return null;
  return { ...(form.schema !== undefined && form.schema !== null && { schema: form.schema }), ...(Array.isArray(form.fields) && { fields: form.fields }) };
}

const iso = (value: Date | null): string | null => (value === null ? null : new Date(value).toISOString());

export function toTaskDto(row: TaskRow, now: Date = new Date()): TaskDto {
  return {
    id: row.id,
    name: row.name,
    elementId: row.elementId,
    processInstanceId: row.processInstanceId,
    definitionKey: row.definitionKey,
    businessKey: row.businessKey,
    assignee: row.assignee,
    candidateGroups: row.candidateGroups,
    candidateUsers: row.candidateUsers,
    state: row.state,
    priority: row.priority,
    dueAt: iso(row.dueAt),
    followUpAt: iso(row.followUpAt),
    createdAt: iso(row.createdAt)!,
    ...(row.formKey !== null && { formKey: row.formKey }),
    escalated: row.escalated,
    escalatedAt: iso(row.escalatedAt),
    overdue: row.state === 'open' && row.dueAt !== null && new Date(row.dueAt).getTime() < now.getTime(),
    endedAt: iso(row.endedAt),
    completedBy: row.completedBy,
  };
}

function toCommentDto(row: CommentRow): CommentDto {
  return { id: row.id, taskId: row.taskId, author: row.author, text: row.text, createdAt: iso(row.createdAt)! };
}

// The statuses a bulk item reports, as the HTTP error filter would map them.
const STATUS: Record<DomainError['code'], number> = {
  'bad-input': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  unprocessable: 422,
  unavailable: 503,
};
const REASON: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 422: 'Unprocessable Entity', 503: 'Service Unavailable' };
