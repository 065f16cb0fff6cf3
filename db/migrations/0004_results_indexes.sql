DROP INDEX `round_results_order_idx`;--> statement-breakpoint
CREATE INDEX `round_results_name_idx` ON `round_results` (`round_id`,`name`);--> statement-breakpoint
CREATE INDEX `round_results_order_idx` ON `round_results` (`round_id`,"score" desc,`duration_ms`,`submitted_at`,`user_id`);--> statement-breakpoint
CREATE INDEX `final_rankings_rank_idx` ON `final_rankings` (`finalisation_id`,`rank`,`group_key`,`position`);