// placeholder, replaced by the real API handler
export const handler = async () => ({ statusCode: 503, body: 'not ready' });
