import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'process_definition' })
@Index('process_definition_key_version', ['key', 'version'], { unique: true })
export class ProcessDefinitionEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** The BPMN process id. */
  @Column('text')
  key: string;

  @Column('integer')
  version: number;

  @Column('text', { nullable: true })
  name: string | null;

  @Column('uuid', { name: 'deployment_id' })
  deploymentId: string;

  @Column('text', { name: 'resource_name' })
  resourceName: string;

  /** The uploaded file as sent: several definitions of one collaboration share it. */
  @Column('text')
  xml: string;

  /** sha256 of the normalised XML; equal to the latest version's hash means "no new version". */
  @Column('text', { name: 'xml_hash' })
  xmlHash: string;

  /** The compiled ProcessModel (src/bpmn/process-model.ts) the engine runs. */
  @Column('jsonb')
  model: object;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
