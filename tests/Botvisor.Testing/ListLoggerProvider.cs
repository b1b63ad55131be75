using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Botvisor.Testing;

/// <summary>Captures every log message in memory, so tests can look for events and scan for secrets.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(EventId Id, string Message)> _messages = new();

    public IReadOnlyList<(EventId Id, string Message)> Messages => _messages.ToList();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ListLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._messages.Enqueue((eventId, formatter(state, exception)));
    }
}
