package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// gormLogger sends GORM's messages to slog. It logs statements only when
// they are slow or fail, and always without their parameters: those hold
// people's emails and names.
type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

var (
	_ logger.Interface  = gormLogger{}
	_ gorm.ParamsFilter = gormLogger{}
)

func newGormLogger(log *slog.Logger, slow time.Duration) gormLogger {
	if slow <= 0 {
		slow = time.Second
	}
	return gormLogger{log: log, slow: slow}
}

// LogMode is ignored: the slog handler decides what is shown.
func (l gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }

// Info logs GORM's informational messages at debug level.
func (l gormLogger) Info(ctx context.Context, msg string, data ...any) {
	l.log.DebugContext(ctx, "gorm message", "detail", fmt.Sprintf(msg, data...))
}

// Warn logs GORM's warnings.
func (l gormLogger) Warn(ctx context.Context, msg string, data ...any) {
	l.log.WarnContext(ctx, "gorm warning", "detail", fmt.Sprintf(msg, data...))
}

// Error logs GORM's own errors.
func (l gormLogger) Error(ctx context.Context, msg string, data ...any) {
	l.log.ErrorContext(ctx, "gorm error", "detail", fmt.Sprintf(msg, data...))
}

// Trace logs slow statements at warn level and failed ones at debug level:
// the store returns every failure to its caller, who decides how loud it is.
func (l gormLogger) Trace(ctx context.Context, begin time.Time,
	fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
		if l.log.Enabled(ctx, slog.LevelDebug) {
			sql, rows := fc()
			l.log.DebugContext(ctx, "query failed", "sql", sql, "rows", rows,
				"duration_ms", elapsed.Milliseconds(), "err", err)
		}
	case elapsed > l.slow:
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow query", "sql", sql, "rows", rows,
			"duration_ms", elapsed.Milliseconds())
	}
}

// ParamsFilter drops the parameters from every statement GORM reports.
func (l gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}
