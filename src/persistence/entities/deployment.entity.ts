import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'deployment' })
export class DeploymentEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'created_by', nullable: true })
  createdBy: string | null;

  /** Definitions this upload produced or matched (an identical re-deploy points at the existing ones). */
  @Column('uuid', { name: 'definition_ids', array: true })
  definitionIds: string[];

  @Column('jsonb')
  warnings: { elementId: string; message: string }[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
