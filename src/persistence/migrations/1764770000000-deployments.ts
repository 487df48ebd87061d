import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Deployments1764770000000 implements MigrationInterface {
  name = 'Deployments1764770000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE deployment (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        created_by text,
        definition_ids uuid[] NOT NULL DEFAULT '{}',
        warnings jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE process_definition (
        id uuid PRIMARY KEY,
        key text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        name text,
        deployment_id uuid NOT NULL REFERENCES deployment(id),
        resource_name text NOT NULL,
        xml text NOT NULL,
        xml_hash text NOT NULL,
        model jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX process_definition_key_version ON process_definition (key, version)`);
    await queryRunner.query(`CREATE INDEX deployment_created_at ON deployment (created_at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE process_definition`);
    await queryRunner.query(`DROP TABLE deployment`);
  }
}
