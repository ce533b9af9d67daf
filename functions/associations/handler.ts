// placeholder, being written
export const handler = async () => ({ statusCode: 501 });
