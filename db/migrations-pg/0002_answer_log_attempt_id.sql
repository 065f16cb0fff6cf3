DROP INDEX "answer_log_attempt_idx";--> statement-breakpoint
CREATE INDEX "answer_log_attempt_idx" ON "answer_log" USING btree ("attempt_id","id");