namespace Botvisor.Core.Sources.Remote;

/// <summary>
/// A fetch that gave no usable list: a connection error, a timeout, an HTTP error, a page that is not
/// JSON or has no list of items, a missing page. The source keeps its last good list. The message never
/// holds a credential (URLs in it are masked).
/// </summary>
public sealed class FeedException : Exception
{
    public FeedException(string message) : base(message)
    {
    }

    public FeedException(string message, Exception inner) : base(message, inner)
    {
    }

    public FeedException()
    {
    }
}
