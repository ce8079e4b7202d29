using Hotline.AcdEngine.Hosting;

return await EngineHost.RunAsync(args);
