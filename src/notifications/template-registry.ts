import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { JsonLogger } from '../common/json-logger.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { MailTemplates, type RenderedMail, type TemplateContext } from './templates.js';

/**
 * The compiled mail templates of TEMPLATES_DIR. Loaded in onModuleInit (not in a constructor or
 * factory: Nest aborts the process on those errors instead of rejecting `app.init()`), so a broken
 * template stops start-up with a TemplateLoadError naming each file, before anything is sent.
 */
@Injectable()
export class TemplateRegistry implements OnModuleInit {
  private readonly logger = new JsonLogger('mail');
  private templates: MailTemplates | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    this.templates = await MailTemplates.load(this.config.templatesDir);
    this.logger.info('mail templates loaded', { dir: this.config.templatesDir, templates: this.templates.names() });
  }

  has(name: string): boolean {
    return this.loaded().has(name);
  }

  names(): string[] {
    return this.loaded().names();
  }

  /** Throws TemplateRenderError (unknown template, missing variable in strict mode, bad subject). */
  render(name: string, context: TemplateContext): RenderedMail {
    return this.loaded().render(name, context);
  }

  private loaded(): MailTemplates {
    if (!this.templates) throw new Error('mail templates are not loaded yet');
    return this.templates;
  }
}
