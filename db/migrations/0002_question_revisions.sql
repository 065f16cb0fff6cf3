ALTER TABLE `questions` ADD `root_id` integer;--> statement-breakpoint
ALTER TABLE `questions` ADD `revision` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX `questions_root_idx` ON `questions` (`root_id`);--> statement-breakpoint
UPDATE `questions` SET `root_id` = `id` WHERE `root_id` IS NULL;
