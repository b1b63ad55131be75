using Botvisor.Core.Configuration;
using Botvisor.Core.Reconciliation;
using Botvisor.Core.Storage;

namespace Botvisor.Api.Problems;

/// <summary>Turns the core's failures into problem details in one place: not found 404, conflict 409, invalid 400, the store cannot be written (a full disk) 503.</summary>
internal sealed class ProblemFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (BotNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
        catch (SourceNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
        catch (BotConflictException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }
        catch (FleetValidationException ex)
        {
            return ApiProblems.Invalid(ex.Errors);
        }
        catch (RequestBodyTooLargeException ex)
        {
            return ApiProblems.TooLarge(ex.Message);
        }
        catch (StoreUnavailableException ex)
        {
            return ApiProblems.StoreUnavailable(ex.Message);
        }
    }
}

internal sealed class RequestBodyTooLargeException(string message) : Exception(message);
