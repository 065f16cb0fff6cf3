CREATE TABLE `final_rankings` (
	`finalisation_id` integer NOT NULL,
	`group_key` text NOT NULL,
	`position` integer NOT NULL,
	`rank` integer NOT NULL,
	`user_id` integer NOT NULL,
	`attempt_id` integer NOT NULL,
	`name` text NOT NULL,
	`unit` text,
	`score` real NOT NULL,
	`correct_count` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`submitted_at` integer NOT NULL,
	`prediction` real,
	`prediction_distance` real,
	`decided_by` text,
	`prize` text,
	PRIMARY KEY(`finalisation_id`, `group_key`, `position`),
	FOREIGN KEY (`finalisation_id`) REFERENCES `round_finalisations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `final_rankings_user_idx` ON `final_rankings` (`finalisation_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `round_finalisations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`round_id` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` integer NOT NULL,
	`hash` text NOT NULL,
	`prediction_kind` text,
	`actual_value` real,
	`all_correct` integer NOT NULL,
	`participants` integer NOT NULL,
	`published_at` integer,
	`reopened_at` integer,
	`reopened_by` integer,
	`reopen_reason` text,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `round_finalisations_round_idx` ON `round_finalisations` (`round_id`,`status`);--> statement-breakpoint
ALTER TABLE `rounds` ADD `results_status` text DEFAULT 'open' NOT NULL;--> statement-breakpoint
ALTER TABLE `rounds` ADD `prize_bands` text DEFAULT '[]' NOT NULL;