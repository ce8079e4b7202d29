using Hotline.TicketApi.Hosting;

return await TicketHost.RunAsync(args);
