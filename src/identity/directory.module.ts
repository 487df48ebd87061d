import { Module } from '@nestjs/common';
import { GroupsController, UsersController } from './directory.controller.js';
import { DirectorySeeder } from './directory-seeder.js';
import { DirectoryService } from './directory.service.js';

/**
 * The admin API of the user/group directory (`/api/users`, `/api/groups`) and the optional seed
 * file. The directory reaches authentication through `IdentityModule.forRoot({ directory: DbGroupDirectory })`.
 */
@Module({
  controllers: [UsersController, GroupsController],
  providers: [DirectoryService, DirectorySeeder],
})
export class DirectoryModule {}
