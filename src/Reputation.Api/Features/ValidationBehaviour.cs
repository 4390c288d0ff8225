using Mediator;
using Reputation.Api.Errors;

namespace Reputation.Api.Features;

/// <summary>Validates every request that can validate itself before its handler runs; nothing is applied when a field is wrong.</summary>
public sealed class ValidationBehaviour<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message is IValidatable validatable)
        {
            var errors = new ValidationErrors();
            validatable.Validate(errors);
            errors.ThrowIfAny();
        }

        return next(message, cancellationToken);
    }
}
