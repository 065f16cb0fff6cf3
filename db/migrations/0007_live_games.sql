CREATE TABLE `live_answers` (
	`game_id` integer NOT NULL,
	`position` integer NOT NULL,
	`player_id` integer NOT NULL,
	`option_ids` text NOT NULL,
	`correct` integer NOT NULL,
	`points` integer NOT NULL,
	`streak_before` integer NOT NULL,
	`elapsed_ms` integer NOT NULL,
	`answered_at` integer NOT NULL,
	PRIMARY KEY(`game_id`, `position`, `player_id`),
	FOREIGN KEY (`game_id`) REFERENCES `live_games`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`player_id`) REFERENCES `live_players`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `live_answers_player_idx` ON `live_answers` (`player_id`);--> statement-breakpoint
CREATE TABLE `live_game_questions` (
	`game_id` integer NOT NULL,
	`position` integer NOT NULL,
	`question_id` integer NOT NULL,
	`snapshot` text NOT NULL,
	`skipped` integer DEFAULT false NOT NULL,
	`answered_count` integer DEFAULT 0 NOT NULL,
	`revealed_at` integer,
	PRIMARY KEY(`game_id`, `position`),
	FOREIGN KEY (`game_id`) REFERENCES `live_games`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `live_games` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`owner_id` integer NOT NULL,
	`bank_id` integer NOT NULL,
	`title` text NOT NULL,
	`pin` text,
	`status` text DEFAULT 'lobby' NOT NULL,
	`phase` text DEFAULT 'lobby' NOT NULL,
	`current_index` integer DEFAULT -1 NOT NULL,
	`opens_at` integer,
	`closes_at` integer,
	`question_count` integer NOT NULL,
	`question_time_sec` integer NOT NULL,
	`reading_time_sec` integer NOT NULL,
	`shuffle_options` integer NOT NULL,
	`streak_bonus` integer NOT NULL,
	`team_mode` integer NOT NULL,
	`units` text NOT NULL,
	`locked` integer DEFAULT false NOT NULL,
	`player_count` integer DEFAULT 0 NOT NULL,
	`kicked_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`ended_at` integer,
	`last_activity_at` integer NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`bank_id`) REFERENCES `banks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `live_games_pin_idx` ON `live_games` (`pin`) WHERE status in ('lobby', 'running');--> statement-breakpoint
CREATE INDEX `live_games_owner_idx` ON `live_games` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `live_games_status_idx` ON `live_games` (`status`,`last_activity_at`);--> statement-breakpoint
CREATE INDEX `live_games_phase_idx` ON `live_games` (`phase`,`closes_at`);--> statement-breakpoint
CREATE TABLE `live_players` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`game_id` integer NOT NULL,
	`nickname` text NOT NULL,
	`nickname_key` text NOT NULL,
	`unit` text,
	`token_hash` text NOT NULL,
	`score` integer DEFAULT 0 NOT NULL,
	`streak` integer DEFAULT 0 NOT NULL,
	`correct_count` integer DEFAULT 0 NOT NULL,
	`answered_count` integer DEFAULT 0 NOT NULL,
	`kicked` integer DEFAULT false NOT NULL,
	`joined_at` integer NOT NULL,
	FOREIGN KEY (`game_id`) REFERENCES `live_games`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `live_players_nickname_idx` ON `live_players` (`game_id`,`nickname_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `live_players_token_idx` ON `live_players` (`token_hash`);--> statement-breakpoint
CREATE INDEX `live_players_score_idx` ON `live_players` (`game_id`,`kicked`,"score" desc,`id`);