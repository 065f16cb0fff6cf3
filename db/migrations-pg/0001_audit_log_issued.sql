CREATE TABLE "audit_log_issued" (
	"id" integer PRIMARY KEY NOT NULL,
	"last_id" integer NOT NULL,
	CONSTRAINT "audit_log_issued_one_row" CHECK ("audit_log_issued"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "at" SET DATA TYPE bigint;